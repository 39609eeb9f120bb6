package io.speedling.openstack;

import java.util.List;
import java.util.Map;

/** A component of a test's own: the components it waits for, its Debian packages and its units. */
abstract class FixtureComponent extends Component {
    private final List<Component> requires;
    private final List<String> packages;
    private final List<String> units;

    FixtureComponent(String name, List<Component> requires, List<String> packages, List<String> units) {
        super(name);
        this.requires = List.copyOf(requires);
        this.packages = List.copyOf(packages);
        this.units = List.copyOf(units);
    }

    @Override
    public List<Component> requires() {
        return requires;
    }

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Map.of(DistroFamily.DEBIAN, packages);
    }

    @Override
    public List<String> services() {
        return units;
    }
}
