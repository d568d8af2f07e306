package dev.backfill.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.backfill.DataMigrationException;
import dev.backfill.internal.store.SqlDialect;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The migrations' (bean) names as the tracking table and the {@code backfill.migrations.<name>}
 * properties see them. Spring Boot's relaxed binding compares a property name's elements
 * ignoring case and every character that is not an ASCII letter or digit, and it lower-cases
 * map keys that come from environment variables ({@code BACKFILL_MIGRATIONS_FIXEMAILS_ENABLED}
 * gives key {@code fixemails}); so a key configures the migration whose name it equals in that
 * relaxed form. Two names equal in that form are refused: a property could not tell them
 * apart, and a case-insensitive collation would give them one tracking row.
 */
final class MigrationNames {

	private static final Logger logger = LoggerFactory.getLogger(MigrationNames.class);

	private static final String PREFIX = "backfill.migrations";

	private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);

	/** The first characters of a too long name shown in the message. */
	private static final int SHOWN_CHARACTERS = 40;

	private final Map<String, String> namesByRelaxedForm = new LinkedHashMap<>();

	/**
	 * Checks the names.
	 * @param names the migrations' bean names
	 * @throws DataMigrationException for a name longer than the tracking table's name column,
	 * or for two names equal in relaxed form
	 */
	MigrationNames(Iterable<String> names) {
		for (String name : names) {
			if (name.length() > SqlDialect.MAX_NAME_LENGTH) {
				throw new DataMigrationException(name, "Migration name '" + name.substring(0, SHOWN_CHARACTERS)
						+ "…' is " + name.length() + " characters long; the tracking table's name column holds at most "
						+ SqlDialect.MAX_NAME_LENGTH + ": rename the bean", null);
			}
			String other = this.namesByRelaxedForm.putIfAbsent(relaxed(name), name);
			if (other != null) {
				throw new DataMigrationException(name, "Migrations '" + other + "' and '" + name
						+ "' have names that differ only in case or punctuation: they would share one tracking row "
						+ "in a database that compares names ignoring case (MariaDB's and MySQL's default "
						+ "collations), and one backfill.migrations." + relaxed(name)
						+ ".* property would configure both: rename one of the beans", null);
			}
		}
	}

	/**
	 * The {@code backfill.migrations} entry of a migration: the one whose key is its name,
	 * else the one whose key equals its name in relaxed form. (Spring Boot binds every
	 * relaxed-equal key to the same merged values, so which one of those is taken does not
	 * matter.)
	 * @param name the migration's name
	 * @param entries the bound {@code backfill.migrations} map
	 * @return its settings, or {@code null} if no key names it
	 */
	BackfillProperties.@Nullable Migration propertiesOf(String name,
			Map<String, BackfillProperties.Migration> entries) {
		BackfillProperties.Migration exact = entries.get(name);
		if (exact != null) {
			return exact;
		}
		String relaxed = relaxed(name);
		return entries.entrySet()
			.stream()
			.filter((entry) -> relaxed(entry.getKey()).equals(relaxed))
			.map(Map.Entry::getValue)
			.findFirst()
			.orElse(null);
	}

	/**
	 * Warns about each {@code backfill.migrations.<key>} property whose key names no
	 * migration: a typo, a removed migration, or a bean name with dots written without
	 * brackets (which Spring Boot reads as a shorter key and a nested property, and drops).
	 * @param environment the environment the properties come from
	 */
	void warnAboutPropertiesNamingNoMigration(Environment environment) {
		Map<String, ConfigurationProperty> unknownByKey = new LinkedHashMap<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(ROOT::isAncestorOf).stream().forEach((name) -> {
					String key = name.getElement(ROOT.getNumberOfElements(), Form.ORIGINAL);
					ConfigurationProperty property = source.getConfigurationProperty(name);
					if (!this.namesByRelaxedForm.containsKey(relaxed(key)) && property != null) {
						unknownByKey.putIfAbsent(key, property);
					}
				});
			}
		}
		Set<String> names = new TreeSet<>(this.namesByRelaxedForm.values());
		unknownByKey.forEach((key, property) -> logger.warn(
				"{}{} names no migration: there is no DataMigration bean '{}' (there are: {}){}", property.getName(),
				(property.getOrigin() != null) ? " (" + property.getOrigin() + ")" : "", key, names,
				bracketsHint(property.getName())));
	}

	/**
	 * A hint for a property that a dotted bean name written without brackets explains:
	 * {@code backfill.migrations.v2.fix.batch-size} for bean {@code v2.fix}.
	 */
	private String bracketsHint(ConfigurationPropertyName property) {
		int first = ROOT.getNumberOfElements();
		for (int end = property.getNumberOfElements() - 1; end > first + 1; end--) {
			String name = this.namesByRelaxedForm.get(relaxed(elements(property, first, end)));
			if (name != null) {
				return "; a bean name that contains dots must be written in brackets: " + PREFIX + "[" + name + "]."
						+ elements(property, end, property.getNumberOfElements());
			}
		}
		return "";
	}

	private static String elements(ConfigurationPropertyName name, int start, int end) {
		List<String> elements = new ArrayList<>();
		for (int i = start; i < end; i++) {
			elements.add(name.getElement(i, Form.ORIGINAL));
		}
		return String.join(".", elements);
	}

	/**
	 * A name as relaxed binding compares it: lower case, letters and digits only (Spring
	 * Boot keeps only ASCII ones; other letters are kept here, so that names made of them
	 * are not all taken for one).
	 * @param name a bean name or a property key
	 * @return its relaxed form
	 */
	static String relaxed(String name) {
		StringBuilder relaxed = new StringBuilder(name.length());
		for (char ch : name.toCharArray()) {
			if (Character.isLetterOrDigit(ch)) {
				relaxed.append(ch);
			}
		}
		return relaxed.toString().toLowerCase(Locale.ROOT);
	}

}
