package dev.backfill.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * A {@link FixtureApplication} running in a child JVM, with its output in a log file
 * under {@code target/resilience-logs}, and the signals the tests send it.
 */
final class FixtureProcess {

	private static final Path LOGS = Path.of("target", "resilience-logs");

	private final String name;

	private final Process process;

	private final Path log;

	private FixtureProcess(String name, Process process, Path log) {
		this.name = name;
		this.process = process;
		this.log = log;
	}

	/**
	 * Starts a fixture application.
	 * @param name names the log file and messages
	 * @param arguments Spring properties as {@code key=value}
	 * @return the running process
	 */
	static FixtureProcess start(String name, List<String> arguments) {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
				"-XX:+UseSerialGC", "-cp", classpath, FixtureApplication.class.getName()));
		arguments.forEach((argument) -> command.add("--" + argument));
		try {
			Files.createDirectories(LOGS);
			Path log = LOGS.resolve(name + ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new FixtureProcess(name, process, log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	String name() {
		return this.name;
	}

	long pid() {
		return this.process.pid();
	}

	/** Whether a {@code lease_owner} is this process's runner (its id starts with the pid). */
	boolean owns(Object leaseOwner) {
		return leaseOwner != null && leaseOwner.toString().startsWith(pid() + "@");
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/** SIGKILL, and waits for the process to be gone. */
	void kill() {
		this.process.destroyForcibly();
		awaitExit(Duration.ofSeconds(10));
	}

	/** SIGTERM: a graceful shutdown; returns at once. */
	void terminate() {
		this.process.destroy();
	}

	/** SIGSTOP: freezes every thread of the JVM, as a long GC pause or a hung host would. */
	void freeze() {
		signal("STOP");
	}

	/** SIGCONT: resumes a frozen process. */
	void resume() {
		signal("CONT");
	}

	private void signal(String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
			if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				fail("kill -%s %d failed", signal, pid());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Waits for the process to exit.
	 * @param timeout how long to wait
	 * @return its exit code
	 */
	int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				fail("%s (pid %d) did not exit within %s; its log:%n%s", this.name, pid(), timeout, log());
			}
			return this.process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Kills the process if it still runs, frozen or not. */
	void destroy() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** Everything the process wrote so far. */
	String log() {
		try {
			return Files.readString(this.log, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	@Override
	public String toString() {
		return this.name + " (pid " + pid() + ")";
	}

}
