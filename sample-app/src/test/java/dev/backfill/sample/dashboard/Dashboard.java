package dev.backfill.sample.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * The Grafana dashboard {@code dashboards/backfill.json}, read as Grafana reads it: its
 * template variables and its panels with their queries.
 *
 * @param json the dashboard's JSON
 * @param panels its panels, in the file's order
 */
record Dashboard(JsonNode json, List<Panel> panels) {

	/** Where the dashboard is, from the sample-app module's directory (Maven's working directory). */
	static final Path FILE = Path.of("..", "dashboards", "backfill.json");

	/**
	 * A panel.
	 *
	 * @param id its id
	 * @param type {@code timeseries}, {@code stat}, …
	 * @param title its title
	 * @param unit its unit ({@code fieldConfig.defaults.unit})
	 * @param datasource the uid of its data source
	 * @param x column of its left edge, of 24
	 * @param y row of its top edge
	 * @param width width, in columns of 24
	 * @param height height, in rows of 30 pixels
	 * @param targets its queries
	 */
	record Panel(int id, String type, String title, String unit, String datasource, int x, int y, int width,
			int height, List<Target> targets) {
	}

	/**
	 * A panel's query.
	 *
	 * @param refId its id inside the panel
	 * @param datasource the uid of its data source
	 * @param expr its PromQL, with Grafana's template variables in it
	 * @param legendFormat the name of each series, e.g. {@code {{migration}} p99}
	 */
	record Target(String refId, String datasource, String expr, String legendFormat) {

		private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

		/**
		 * The labels the legend format names, e.g. {@code migration} in {@code {{migration}} p99}.
		 * @return the labels, in the format's order
		 */
		List<String> legendLabels() {
			return LEGEND_LABEL.matcher(this.legendFormat).results().map((label) -> label.group(1)).toList();
		}

		/**
		 * The name Grafana gives a series in the legend.
		 * @param labels the series' labels
		 * @return the legend format with each {@code {{label}}} replaced by its value
		 */
		String legend(Map<String, String> labels) {
			return LEGEND_LABEL.matcher(this.legendFormat)
				.replaceAll((label) -> Matcher.quoteReplacement(labels.getOrDefault(label.group(1), "")));
		}

		/**
		 * The query as Grafana sends it with every migration chosen ({@code $migration}'s
		 * "All" value {@code .*}) and {@code $__rate_interval} set.
		 * @param rateInterval what {@code $__rate_interval} stands for, e.g. {@code 1m}
		 * @return the parsed query
		 */
		PromQl.Expr query(String rateInterval) {
			return PromQl.parse(this.expr.replace("$__rate_interval", rateInterval)
				.replace("${migration}", ".*")
				.replace("$migration", ".*"));
		}

	}

	/**
	 * Reads the dashboard.
	 * @return the dashboard
	 */
	static Dashboard read() {
		try {
			JsonNode json = JsonMapper.builder().build().readTree(Files.readString(FILE));
			List<Panel> panels = new ArrayList<>();
			for (JsonNode panel : json.path("panels")) {
				List<Target> targets = new ArrayList<>();
				for (JsonNode target : panel.path("targets")) {
					targets.add(new Target(target.path("refId").asString(""),
							target.path("datasource").path("uid").asString(""), target.path("expr").asString(""),
							target.path("legendFormat").asString("")));
				}
				JsonNode grid = panel.path("gridPos");
				panels.add(new Panel(panel.path("id").asInt(0), panel.path("type").asString(""),
						panel.path("title").asString(""),
						panel.path("fieldConfig").path("defaults").path("unit").asString(""),
						panel.path("datasource").path("uid").asString(""), grid.path("x").asInt(-1),
						grid.path("y").asInt(-1), grid.path("w").asInt(0), grid.path("h").asInt(0),
						List.copyOf(targets)));
			}
			return new Dashboard(json, List.copyOf(panels));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the dashboard " + FILE.toAbsolutePath(), ex);
		}
	}

	/**
	 * A template variable.
	 * @param name its name
	 * @return the variable, or a missing node
	 */
	JsonNode variable(String name) {
		for (JsonNode variable : this.json.path("templating").path("list")) {
			if (variable.path("name").asString("").equals(name)) {
				return variable;
			}
		}
		return MissingNode.getInstance();
	}

}
