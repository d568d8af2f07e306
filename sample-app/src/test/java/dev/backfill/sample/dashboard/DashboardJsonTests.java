package dev.backfill.sample.dashboard;

import java.util.List;

import dev.backfill.sample.dashboard.Dashboard.Panel;
import dev.backfill.sample.dashboard.Dashboard.Target;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Checks {@code dashboards/backfill.json} as Grafana would import it: a Prometheus data
 * source chosen at import and used by every panel and query, a {@code migration} variable
 * with "All", unique panel ids on a grid without overlaps, and queries in the PromQL that
 * {@link PromQl} reads (so that {@link DashboardScrapeTests} and the picture can evaluate them).
 */
class DashboardJsonTests {

	private final Dashboard dashboard = Dashboard.read();

	@Test
	void everyPanelAndQueryUsesThePrometheusDataSourceChosenAtImport() {
		JsonNode input = this.dashboard.json().path("__inputs").path(0);
		assertThat(input.path("name").asString("")).isEqualTo("DS_PROMETHEUS");
		assertThat(input.path("type").asString("")).isEqualTo("datasource");
		assertThat(input.path("pluginId").asString("")).isEqualTo("prometheus");
		JsonNode datasource = this.dashboard.variable("datasource");
		assertThat(datasource.path("type").asString("")).isEqualTo("datasource");
		assertThat(datasource.path("query").asString("")).isEqualTo("prometheus");
		assertThat(datasource.path("current").path("value").asString("")).isEqualTo("${DS_PROMETHEUS}");
		assertThat(this.dashboard.panels()).isNotEmpty().allSatisfy((panel) -> {
			assertThat(panel.datasource()).as("data source of panel '%s'", panel.title()).isEqualTo("${datasource}");
			assertThat(panel.targets()).as("queries of panel '%s'", panel.title())
				.isNotEmpty()
				.allSatisfy((target) -> assertThat(target.datasource()).isEqualTo("${datasource}"));
		});
	}

	@Test
	void panelsHaveUniqueIdsAndTileTheGridWithoutOverlapping() {
		List<Panel> panels = this.dashboard.panels();
		assertThat(panels).extracting(Panel::id).doesNotHaveDuplicates().allSatisfy((id) -> assertThat(id).isPositive());
		for (Panel panel : panels) {
			assertThat(panel.x()).as("x of '%s'", panel.title()).isBetween(0, 23);
			assertThat(panel.x() + panel.width()).as("right edge of '%s'", panel.title()).isBetween(1, 24);
			assertThat(panel.height()).as("height of '%s'", panel.title()).isPositive();
			assertThat(panel.targets()).extracting(Target::refId).doesNotHaveDuplicates();
			for (Panel other : panels) {
				boolean overlap = panel != other && panel.x() < other.x() + other.width()
						&& other.x() < panel.x() + panel.width() && panel.y() < other.y() + other.height()
						&& other.y() < panel.y() + panel.height();
				assertThat(overlap).as("'%s' overlaps '%s'", panel.title(), other.title()).isFalse();
			}
		}
	}

	@Test
	void migrationVariableOffersAllMigrationsFromThePrometheusDataSource() {
		JsonNode variable = this.dashboard.variable("migration");
		assertThat(variable.path("type").asString("")).isEqualTo("query");
		assertThat(variable.path("datasource").path("uid").asString("")).isEqualTo("${datasource}");
		assertThat(variable.path("includeAll").asBoolean(false)).isTrue();
		assertThat(variable.path("allValue").asString("")).isEqualTo(".*");
		assertThat(variable.path("query").path("query").asString(""))
			.isEqualTo("label_values(backfill_rows_total, migration)");
	}

	@Test
	void everyQueryIsPromQlThatTheChecksAndThePictureRead() {
		assertThat(this.dashboard.panels()).allSatisfy((panel) -> assertThat(panel.targets())
			.allSatisfy((target) -> assertThatNoException().as("query %s of panel '%s'", target.expr(), panel.title())
				.isThrownBy(() -> target.query("1m"))));
	}

}
