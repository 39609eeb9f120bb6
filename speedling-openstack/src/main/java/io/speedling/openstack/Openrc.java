package io.speedling.openstack;

/** The files users authenticate with: openrc shell snippets and a clouds.yaml. */
public final class Openrc {
    private Openrc() {
    }

    public static String admin(Deploy d, String keystoneUrl) {
        return rc("admin", d.secret("keystone-admin"), "admin", keystoneUrl, d.cloud().region());
    }

    public static String demo(Deploy d, String keystoneUrl) {
        return rc("demo", d.secret("keystone-demo"), "demo", keystoneUrl, d.cloud().region());
    }

    static String rc(String user, String password, String project, String url, String region) {
        return "# source me: speedling cloud credentials for " + user + "\n"
                + "export OS_AUTH_URL=" + url + "\n"
                + "export OS_IDENTITY_API_VERSION=3\n"
                + "export OS_USERNAME=" + user + "\n"
                + "export OS_PASSWORD='" + password + "'\n"
                + "export OS_PROJECT_NAME=" + project + "\n"
                + "export OS_USER_DOMAIN_NAME=Default\n"
                + "export OS_PROJECT_DOMAIN_NAME=Default\n"
                + "export OS_REGION_NAME=" + region + "\n"
                + "export OS_INTERFACE=public\n";
    }

    /** clouds.yaml with clouds {@code <name>-admin} and {@code <name>-demo}. */
    public static String cloudsYaml(String cloud, String url, String region, String adminPassword, String demoPassword) {
        return "clouds:\n" + entry(cloud + "-admin", "admin", adminPassword, "admin", url, region)
                + entry(cloud + "-demo", "demo", demoPassword, "demo", url, region);
    }

    private static String entry(String name, String user, String pw, String project, String url, String region) {
        return "  " + name + ":\n    auth:\n      auth_url: " + url + "\n      username: " + user + "\n"
                + "      password: '" + pw + "'\n      project_name: " + project + "\n"
                + "      user_domain_name: Default\n      project_domain_name: Default\n"
                + "    region_name: " + region + "\n    identity_api_version: 3\n    interface: public\n";
    }
}
