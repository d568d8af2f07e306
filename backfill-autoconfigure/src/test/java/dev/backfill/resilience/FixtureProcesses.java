package dev.backfill.resilience;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fixture applications of one test on one database: starts them against the test's
 * schema, and destroys every one still running when closed.
 */
final class FixtureProcesses implements AutoCloseable {

	private final FixtureDatabase database;

	private final String test;

	private final List<FixtureProcess> processes = new ArrayList<>();

	FixtureProcesses(FixtureDatabase database, String test) {
		this.database = database;
		this.test = test;
	}

	/**
	 * Starts a fixture application with its own connection tag.
	 * @param properties backfill and fixture properties as {@code key=value}
	 * @return the process
	 */
	FixtureProcess start(String... properties) {
		String tag = FixtureDatabase.newTag();
		List<String> arguments = new ArrayList<>(this.database.dataSourceProperties(tag));
		arguments.add("spring.application.name=" + tag);
		arguments.addAll(List.of(properties));
		String name = this.test + "-" + this.database.databaseName().toLowerCase(Locale.ROOT) + "-"
				+ (this.processes.size() + 1);
		FixtureProcess process = FixtureProcess.start(name, arguments);
		this.processes.add(process);
		return process;
	}

	/** The process whose runner is {@code leaseOwner}, if it is one of these. */
	FixtureProcess owning(Object leaseOwner) {
		return this.processes.stream().filter((process) -> process.owns(leaseOwner)).findFirst().orElse(null);
	}

	List<FixtureProcess> all() {
		return List.copyOf(this.processes);
	}

	@Override
	public void close() {
		this.processes.forEach(FixtureProcess::destroy);
	}

}
