package io.speedling.openstack.components;

/**
 * What the builders of OpenStack's API services share: the component's name and the services
 * every one of them is wired to. {@code B} is the concrete builder, so each setter returns it and
 * a chain goes on with that builder's own settings.
 *
 * @param <B> the concrete builder
 */
public abstract class ServiceBuilder<B extends ServiceBuilder<B>> {
    String name;
    MariaDb sql;
    Keystone keystone;
    io.speedling.openstack.Release release;

    ServiceBuilder(String defaultName) {
        this.name = defaultName;
    }

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    /** The component's name (its tasks are named after it); the service's own name by default. */
    public B name(String n) {
        this.name = n;
        return self();
    }

    /** The SQL server holding the service's database. */
    public B sql(MariaDb db) {
        this.sql = db;
        return self();
    }

    /**
     * The release the nodes run: the component reports it, a cloud of another release refuses it,
     * and where the service's packages or settings differ between releases it follows it; made for
     * any release (and the default one's settings) when not given.
     */
    public B release(io.speedling.openstack.Release r) {
        this.release = r;
        return self();
    }

    /** The identity service it registers in and authenticates against. */
    public B keystone(Keystone k) {
        this.keystone = k;
        return self();
    }

    /** A service builder that also takes the message queue its services talk over. */
    public abstract static class WithMessaging<B extends WithMessaging<B>> extends ServiceBuilder<B> {
        RabbitMq messaging;

        WithMessaging(String defaultName) {
            super(defaultName);
        }

        /** The message queue the service's processes talk over. */
        public B messaging(RabbitMq mq) {
            this.messaging = mq;
            return self();
        }
    }
}
