package dev.backfill.sample.dashboard;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.backfill.sample.dashboard.Dashboard.Panel;
import dev.backfill.sample.dashboard.Dashboard.Target;

/**
 * Draws the dashboard's panels as an HTML page of SVG line charts, laid out on Grafana's
 * grid (24 columns, rows of 30 pixels) and coloured like its dark theme, each query
 * evaluated by {@link PromQl} at every scrape of a run. It is a picture of what the
 * dashboard's queries return for those scrapes, not a screenshot of Grafana.
 */
final class DashboardPicture {

	static final int WIDTH = 1600;

	private static final int ROW_HEIGHT = 30;

	private static final int HEADER = 56;

	private static final int FOOTER = 44;

	private static final int GAP = 8;

	private static final String[] COLOURS = { "#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2",
			"#B877D9", "#FADE2A" };

	private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

	private final Dashboard dashboard;

	private final List<Scrape> scrapes;

	private final String rateInterval;

	/**
	 * A picture of a dashboard over a run.
	 * @param dashboard the dashboard
	 * @param scrapes the run's scrapes, oldest first
	 * @param rateInterval what {@code $__rate_interval} stands for
	 */
	DashboardPicture(Dashboard dashboard, List<Scrape> scrapes, String rateInterval) {
		this.dashboard = dashboard;
		this.scrapes = scrapes;
		this.rateInterval = rateInterval;
	}

	/** The page's height in pixels. */
	int height() {
		int rows = this.dashboard.panels().stream().mapToInt((panel) -> panel.y() + panel.height()).max().orElse(0);
		return HEADER + rows * ROW_HEIGHT + FOOTER;
	}

	/**
	 * The page.
	 * @param caption what the picture is, written under the panels
	 * @return the HTML page
	 */
	String html(String caption) {
		StringBuilder html = new StringBuilder();
		html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>")
			.append("body{margin:0;background:#111217;color:#ccccdc;font:13px Inter,Helvetica,Arial,sans-serif;")
			.append("width:").append(WIDTH).append("px;height:").append(height()).append("px;position:relative}")
			.append(".bar{position:absolute;left:").append(GAP).append("px;top:10px;right:").append(GAP).append("px}")
			.append(".title{font-size:18px;color:#fff;margin-right:24px}")
			.append(".var{display:inline-block;border:1px solid #2f3037;border-radius:2px;padding:4px 8px;margin-right:8px;background:#181b1f}")
			.append(".var b{color:#8e8e9e;font-weight:normal;margin-right:6px}")
			.append(".range{float:right;padding:4px 8px;border:1px solid #2f3037;background:#181b1f}")
			.append(".panel{position:absolute;background:#181b1f;border:1px solid #24262c;border-radius:2px;box-sizing:border-box}")
			.append(".panel h3{margin:0;padding:6px 8px;font-size:13px;font-weight:500;color:#ccccdc}")
			.append(".legend{position:absolute;left:8px;right:8px;bottom:4px;font-size:12px;line-height:16px}")
			.append(".legend span{margin-right:14px;white-space:nowrap}.legend i{display:inline-block;width:14px;height:4px;margin-right:5px;vertical-align:middle}")
			.append(".nodata{position:absolute;top:45%;width:100%;text-align:center;color:#8e8e9e}")
			.append(".caption{position:absolute;left:").append(GAP).append("px;right:").append(GAP)
			.append("px;bottom:10px;color:#8e8e9e;font-size:12px}")
			.append("</style></head><body><div class=\"bar\"><span class=\"title\">")
			.append(escape(this.dashboard.json().path("title").asString("")))
			.append("</span><span class=\"var\"><b>Data source</b>Prometheus</span><span class=\"var\"><b>Migration</b>All</span>")
			.append("<span class=\"range\">")
			.append(CLOCK.format(this.scrapes.get(0).time()))
			.append(" to ")
			.append(CLOCK.format(this.scrapes.get(this.scrapes.size() - 1).time()))
			.append(" UTC</span></div>");
		for (Panel panel : this.dashboard.panels()) {
			panel(html, panel);
		}
		html.append("<div class=\"caption\">").append(escape(caption)).append("</div></body></html>\n");
		return html.toString();
	}

	private void panel(StringBuilder html, Panel panel) {
		double columnWidth = (WIDTH - GAP) / 24.0;
		int left = (int) Math.round(GAP + panel.x() * columnWidth);
		int top = HEADER + panel.y() * ROW_HEIGHT;
		int width = (int) Math.round(panel.width() * columnWidth) - GAP;
		int height = panel.height() * ROW_HEIGHT - GAP;
		html.append("<div class=\"panel\" style=\"left:")
			.append(left)
			.append("px;top:")
			.append(top)
			.append("px;width:")
			.append(width)
			.append("px;height:")
			.append(height)
			.append("px\"><h3>")
			.append(escape(panel.title()))
			.append("</h3>");
		Map<String, List<double[]>> lines = lines(panel);
		if (lines.isEmpty()) {
			html.append("<div class=\"nodata\">No data</div>");
		}
		else if (panel.type().equals("bargauge")) {
			bars(html, panel.unit(), lines, width);
		}
		else if (panel.type().equals("stat")) {
			stats(html, panel.unit(), lines, width, height);
		}
		else {
			chart(html, panel.unit(), lines, width, height - 30 - 40);
			html.append("<div class=\"legend\">");
			int colour = 0;
			for (String name : lines.keySet()) {
				html.append("<span><i style=\"background:")
					.append(COLOURS[colour++ % COLOURS.length])
					.append("\"></i>")
					.append(escape(name))
					.append("</span>");
			}
			html.append("</div>");
		}
		html.append("</div>");
	}

	/** Each series of the panel's queries as points (seconds since the first scrape, value). */
	private Map<String, List<double[]>> lines(Panel panel) {
		Map<String, List<double[]>> lines = new LinkedHashMap<>();
		for (Target target : panel.targets()) {
			PromQl.Expr query = target.query(this.rateInterval);
			for (int i = 0; i < this.scrapes.size(); i++) {
				double seconds = Duration.between(this.scrapes.get(0).time(), this.scrapes.get(i).time()).toMillis()
						/ 1000.0;
				for (PromQl.Series series : query.evaluate(this.scrapes, i)) {
					if (Double.isFinite(series.value())) {
						lines.computeIfAbsent(target.legend(series.labels()), (name) -> new ArrayList<>())
							.add(new double[] { seconds, series.value() });
					}
				}
			}
		}
		return lines;
	}

	private void chart(StringBuilder html, String unit, Map<String, List<double[]>> lines, int width, int height) {
		int axis = 78;
		int plotWidth = width - axis - 16;
		int plotHeight = height - 22;
		double lastSecond = Duration
			.between(this.scrapes.get(0).time(), this.scrapes.get(this.scrapes.size() - 1).time())
			.toMillis() / 1000.0;
		double max = lines.values()
			.stream()
			.flatMap(List::stream)
			.mapToDouble((point) -> point[1])
			.max()
			.orElse(0);
		double step = niceStep((max > 0) ? max / 4 : 1);
		double top = Math.max(step, Math.ceil(max / step) * step);
		html.append("<svg style=\"position:absolute;left:0;top:30px\" width=\"")
			.append(width)
			.append("\" height=\"")
			.append(height)
			.append("\" font-size=\"11\" fill=\"#8e8e9e\">");
		for (double tick = 0; tick <= top + step / 2; tick += step) {
			double y = 4 + plotHeight - tick / top * plotHeight;
			html.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#2a2c33\"/>"
							+ "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
					axis, axis + plotWidth, y, y, axis - 6, y + 4, escape(format(unit, tick))));
		}
		double secondStep = niceStep(Math.max(1, lastSecond / 8));
		for (double second = 0; second <= lastSecond; second += secondStep) {
			double x = axis + second / Math.max(lastSecond, 1) * plotWidth;
			html.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x,
					plotHeight + 20, CLOCK.format(this.scrapes.get(0).time().plusMillis((long) (second * 1000)))));
		}
		int colour = 0;
		for (List<double[]> points : lines.values()) {
			StringBuilder path = new StringBuilder();
			for (double[] point : points) {
				path.append(String.format(Locale.ROOT, "%.1f,%.1f ", axis + point[0] / Math.max(lastSecond, 1) * plotWidth,
						4 + plotHeight - point[1] / top * plotHeight));
			}
			html.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
				.append(COLOURS[colour++ % COLOURS.length])
				.append("\" points=\"")
				.append(path.toString().strip())
				.append("\"/>");
		}
		html.append("</svg>");
	}

	/** A bar gauge: one bar per series, at its last value, between 0 and 1 (the unit is a share). */
	private static void bars(StringBuilder html, String unit, Map<String, List<double[]>> lines, int width) {
		int colour = 0;
		int top = 34;
		int barHeight = Math.min(28, 150 / Math.max(1, lines.size()));
		for (Map.Entry<String, List<double[]>> line : lines.entrySet()) {
			double value = last(line.getValue());
			int barWidth = width - 16 - 130 - 70;
			html.append(String.format(Locale.ROOT,
					"<div style=\"position:absolute;left:8px;top:%dpx;width:130px;line-height:%dpx;overflow:hidden\">%s</div>"
							+ "<div style=\"position:absolute;left:140px;top:%dpx;width:%dpx;height:%dpx;background:#22252b\">"
							+ "<div style=\"width:%.1f%%;height:100%%;background:%s\"></div></div>"
							+ "<div style=\"position:absolute;left:%dpx;top:%dpx;line-height:%dpx;font-size:16px;color:%s\">%s</div>",
					top, barHeight, escape(line.getKey()), top + 2, barWidth, barHeight - 4,
					Math.max(0, Math.min(1, value)) * 100, COLOURS[colour % COLOURS.length], 150 + barWidth, top,
					barHeight, COLOURS[colour % COLOURS.length], escape(format(unit, value))));
			colour++;
			top += barHeight + 6;
		}
	}

	/** Stat panel: one big number per series, its last value. */
	private static void stats(StringBuilder html, String unit, Map<String, List<double[]>> lines, int width,
			int height) {
		int cell = (width - 16) / Math.max(1, lines.size());
		int colour = 0;
		int left = 8;
		for (Map.Entry<String, List<double[]>> line : lines.entrySet()) {
			html.append(String.format(Locale.ROOT,
					"<div style=\"position:absolute;left:%dpx;top:40px;width:%dpx;text-align:center\">"
							+ "<div style=\"font-size:%dpx;color:%s;font-weight:500\">%s</div><div>%s</div></div>",
					left, cell, Math.min(48, height / 4), COLOURS[colour++ % COLOURS.length],
					escape(format(unit, last(line.getValue()))), escape(line.getKey())));
			left += cell;
		}
	}

	private static double last(List<double[]> points) {
		return points.get(points.size() - 1)[1];
	}

	private static double niceStep(double rough) {
		double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
		for (double nice : new double[] { 1, 2, 2.5, 5, 10 }) {
			if (nice * magnitude >= rough) {
				return nice * magnitude;
			}
		}
		return 10 * magnitude;
	}

	/** A value as Grafana shows it in the panel's unit. */
	static String format(String unit, double value) {
		if (unit.equals("s")) {
			return (value < 1) ? trim(value * 1000) + " ms" : trim(value) + " s";
		}
		if (unit.equals("percentunit")) {
			return trim(value * 100) + "%";
		}
		String suffix = unit.startsWith("suffix:") ? unit.substring("suffix:".length()) : "";
		return shortNumber(value) + suffix;
	}

	private static String shortNumber(double value) {
		if (value >= 1_000_000) {
			return trim(value / 1_000_000) + " M";
		}
		if (value >= 1000) {
			return trim(value / 1000) + " K";
		}
		return trim(value);
	}

	private static String trim(double value) {
		String text = String.format(Locale.ROOT, (value == Math.rint(value)) ? "%.0f" : "%.2f", value);
		return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
