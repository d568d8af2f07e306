package dev.backfill.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Starts a class of this module in a child JVM (same {@code java}, same class path, or the
 * class path without backfill-autoconfigure) and collects the {@code RESULT key=value ...}
 * lines it prints.
 */
final class ChildJvm {

	private ChildJvm() {
	}

	/**
	 * Runs a main class and waits for it.
	 * @param mainClass the class
	 * @param jvmArgs options for the JVM
	 * @param args program arguments
	 * @param withoutBackfill whether to leave backfill-autoconfigure off the class path
	 * @return the key-value pairs of its {@code RESULT} lines
	 */
	static Map<String, String> run(Class<?> mainClass, List<String> jvmArgs, List<String> args,
			boolean withoutBackfill) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmArgs);
		command.add("-cp");
		command.add(String.join(File.pathSeparator, classPath(withoutBackfill)));
		command.add(mainClass.getName());
		command.addAll(args);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		Map<String, String> results = new LinkedHashMap<>();
		List<String> output = new ArrayList<>();
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				output.add(line);
				if (line.startsWith("RESULT ")) {
					for (String pair : line.substring(7).trim().split(" ")) {
						int equals = pair.indexOf('=');
						if (equals > 0) {
							results.put(pair.substring(0, equals), pair.substring(equals + 1));
						}
					}
				}
			}
		}
		if (!process.waitFor(10, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			throw new IOException(mainClass.getSimpleName() + " did not finish in 10 minutes");
		}
		if (process.exitValue() != 0) {
			throw new IOException(mainClass.getSimpleName() + " exited with " + process.exitValue() + ":\n"
					+ String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size())));
		}
		return results;
	}

	/**
	 * This JVM's class path, with the entries of a jar's {@code Class-Path} manifest
	 * spelled out when it was started with {@code -jar}, and under Surefire its test class
	 * path.
	 */
	static List<String> classPath(boolean withoutBackfill) throws IOException {
		String raw = System.getProperty("surefire.test.class.path");
		if (raw == null || raw.isBlank()) {
			raw = System.getProperty("java.class.path");
		}
		List<String> entries = new ArrayList<>();
		for (String entry : raw.split(File.pathSeparator)) {
			if (entry.isBlank()) {
				continue;
			}
			List<String> manifestEntries = manifestClassPath(Path.of(entry));
			// A jar's Class-Path is followed wherever the jar is on the class path, so a jar
			// that names the dependencies is replaced by a copy that does not.
			entries.add((withoutBackfill && !manifestEntries.isEmpty()) ? withoutClassPath(Path.of(entry)) : entry);
			entries.addAll(manifestEntries);
		}
		if (withoutBackfill) {
			entries.removeIf((entry) -> entry.replace('\\', '/').contains("backfill-autoconfigure"));
		}
		return entries;
	}

	private static String withoutClassPath(Path jar) throws IOException {
		Path copy = Files.createTempFile("backfill-benchmarks-", ".jar");
		copy.toFile().deleteOnExit();
		try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
			Manifest manifest = new Manifest(in.getManifest());
			manifest.getMainAttributes().remove(Attributes.Name.CLASS_PATH);
			try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(copy), manifest)) {
				JarEntry entry;
				while ((entry = in.getNextJarEntry()) != null) {
					out.putNextEntry(new JarEntry(entry.getName()));
					in.transferTo(out);
					out.closeEntry();
				}
			}
		}
		return copy.toString();
	}

	private static List<String> manifestClassPath(Path jar) throws IOException {
		if (!jar.toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
			return List.of();
		}
		try (JarFile file = new JarFile(jar.toFile())) {
			Manifest manifest = file.getManifest();
			String classPath = (manifest != null) ? manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH)
					: null;
			if (classPath == null) {
				return List.of();
			}
			Path base = jar.toAbsolutePath().getParent();
			List<String> entries = new ArrayList<>();
			for (String relative : classPath.trim().split("\\s+")) {
				entries.add(base.resolve(relative).toString());
			}
			return entries;
		}
	}

}
