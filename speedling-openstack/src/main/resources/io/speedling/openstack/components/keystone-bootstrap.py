# Keystone's bootstrap on the node, in SQL (see Keystone.BOOTSTRAP). Runs as root (MariaDB's socket
# login), inputs in the environment: keystone-manage bootstrap's OS_BOOTSTRAP_* variables and, for the
# first registration, SPEEDLING_CATALOG (JSON: services and users, as KeystoneRegistrar takes them),
# SPEEDLING_REGISTER_STAMP and SPEEDLING_REGISTER_MARKER (where the registrar finds its stamp).
import json, os, subprocess, uuid


def q(v):
    if v is None:
        return "NULL"
    return "'" + v.replace("\\", "\\\\").replace("'", "''") + "'"


def sql(text):
    return subprocess.run(["mysql", "-N", "keystone"], input=text, text=True, check=True,
                          stdout=subprocess.PIPE).stdout.strip()


def rows(text):
    return [line.split("\t") for line in sql(text).splitlines() if line]


def manage():
    os.execvp("runuser", ["runuser", "-u", "keystone", "--", "keystone-manage", "bootstrap"])


ADMIN = "SELECT id FROM local_user WHERE name = 'admin' AND domain_id = 'default'"


def hashed(password):
    # the cost Keystone is set to (password_hash_rounds)
    import bcrypt
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()


def clone(table, where, values):
    """A copy of the row `where` picks in `table` with `values` (SQL expressions) set: columns another
    release has, or this script does not know, keep the template's value."""
    sets = ", ".join("`" + k + "` = " + v for k, v in values.items())
    return ("CREATE TEMPORARY TABLE speedling_row AS SELECT * FROM `" + table + "` WHERE " + where + " LIMIT 1;\n"
            "UPDATE speedling_row SET " + sets + ";\n"
            "INSERT INTO `" + table + "` SELECT * FROM speedling_row;\n"
            "DROP TEMPORARY TABLE speedling_row;\n")


def register(catalog, r):
    """Services, endpoints, projects, roles, users and their role assignments written into the tables
    as Keystone's API would, each row a copy of the matching row the bootstrap made (the identity
    service and endpoint, the admin project, role and user): one mysql run instead of about seventy
    requests to Keystone while every other service starts. Returns the SQL; `r` is the region, quoted."""
    out = ["START TRANSACTION;",
           "SET @idsvc = (SELECT id FROM service WHERE type = 'identity' LIMIT 1);",
           "SET @auser = (SELECT user_id FROM local_user WHERE name = 'admin' AND domain_id = 'default');",
           "SET @alocal = (" + ADMIN + ");"]
    for s in catalog["services"]:
        sid = uuid.uuid4().hex
        out.append(clone("service", "id = @idsvc", {"id": q(sid), "type": q(s["type"]),
                                                     "extra": q(json.dumps({"name": s["name"]}))}))
        for interface, url in sorted(s["endpoints"].items()):
            out.append(clone("endpoint", "service_id = @idsvc", {
                "id": q(uuid.uuid4().hex), "service_id": q(sid), "interface": q(interface), "url": q(url),
                "region_id": r, "legacy_endpoint_id": "NULL", "extra": "'{}'", "enabled": "1"}))
    projects = dict(rows("SELECT name, id FROM project WHERE domain_id = 'default' AND is_domain = 0"))
    roles = dict(rows("SELECT name, id FROM role WHERE domain_id = '<<null>>'"))
    users = dict(rows("SELECT name, user_id FROM local_user WHERE domain_id = 'default'"))
    legacy = "password" in [c[0] for c in rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'keystone' "
        "AND table_name = 'password'")]
    for u in catalog["users"]:
        if u["project"] not in projects:
            projects[u["project"]] = uuid.uuid4().hex
            out.append(clone("project", "name = 'admin' AND domain_id = 'default' AND is_domain = 0", {
                "id": q(projects[u["project"]]), "name": q(u["project"]), "description": "''", "extra": "'{}'"}))
        if u["name"] not in users:
            uid = users[u["name"]] = uuid.uuid4().hex
            out.append(clone("user", "id = @auser", {"id": q(uid), "extra": "'{}'", "default_project_id": "NULL",
                                                      "last_active_at": "NULL"}))
            out.append("SET @local = (SELECT MAX(id) + 1 FROM local_user);")
            out.append(clone("local_user", "id = @alocal", {"id": "@local", "user_id": q(uid), "name": q(u["name"]),
                                                              "failed_auth_count": "NULL", "failed_auth_at": "NULL"}))
            values = {"id": "(SELECT MAX(id) + 1 FROM password)", "local_user_id": "@local",
                      "password_hash": q(hashed(u["password"]))}
            if legacy:
                values["password"] = "NULL"
            out.append(clone("password", "local_user_id = @alocal", values))
        for role in u["roles"]:
            if role not in roles:
                roles[role] = uuid.uuid4().hex
                out.append(clone("role", "name = 'admin' AND domain_id = '<<null>>'", {
                    "id": q(roles[role]), "name": q(role), "description": "NULL", "extra": "'{}'"}))
            out.append("INSERT IGNORE INTO assignment (type, actor_id, target_id, role_id, inherited) VALUES "
                       "('UserProject', " + q(users[u["name"]]) + ", " + q(projects[u["project"]]) + ", "
                       + q(roles[role]) + ", 0);")
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def main():
    if sql("SELECT COUNT(*) FROM (" + ADMIN + ") a") == "0":
        manage()
    try:
        import bcrypt  # noqa: F401
    except ImportError:
        manage()
    e = os.environ
    r = q(e["OS_BOOTSTRAP_REGION_ID"])
    sql("INSERT INTO region (id, description, extra) SELECT " + r + ", '', '{}' FROM DUAL WHERE NOT EXISTS "
        "(SELECT 1 FROM region WHERE id = " + r + ");\n"
        "UPDATE endpoint SET url = " + q(e["OS_BOOTSTRAP_PUBLIC_URL"]) + ", region_id = " + r
        + " WHERE service_id IN (SELECT id FROM service WHERE type = 'identity');\n"
        "UPDATE password SET password_hash = " + q(hashed(e["OS_BOOTSTRAP_PASSWORD"]))
        + " WHERE local_user_id IN (" + ADMIN + ");\n")
    # the first registration only, on the database the image's snapshot (or keystone-manage) just made,
    # before Keystone serves anything it could have cached; later changes go through Keystone's API
    catalog = e.get("SPEEDLING_CATALOG")
    if catalog and sql("SELECT COUNT(*) FROM service") == "1":
        sql(register(json.loads(catalog), r))
        marker = e["SPEEDLING_REGISTER_MARKER"]
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(e["SPEEDLING_REGISTER_STAMP"])


if __name__ == "__main__":
    main()
