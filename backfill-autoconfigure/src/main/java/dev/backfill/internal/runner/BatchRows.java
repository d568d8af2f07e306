package dev.backfill.internal.runner;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;

import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.util.LinkedCaseInsensitiveMap;

/**
 * Reads a batch into the maps {@code migrate} receives: the same keys and values as
 * {@code JdbcTemplate.queryForList} gives (case-insensitive column labels, values as
 * {@link JdbcUtils#getResultSetValue(ResultSet, int)} reads them, a later column of the
 * same label winning), but the column labels are read and indexed once per batch and
 * shared by its rows, each row holding only its values. Spring's
 * {@code ColumnMapRowMapper} reads the metadata and builds two hash maps for every row,
 * which was most of the runner's own time per batch.
 */
final class BatchRows implements ResultSetExtractor<List<Map<String, Object>>> {

	static final BatchRows INSTANCE = new BatchRows();

	private BatchRows() {
	}

	@Override
	public List<Map<String, Object>> extractData(ResultSet rs) throws SQLException {
		Columns columns = Columns.of(rs.getMetaData());
		List<Map<String, Object>> rows = new ArrayList<>();
		while (rs.next()) {
			Object[] values = new Object[columns.positions.length];
			for (int i = 0; i < values.length; i++) {
				values[i] = JdbcUtils.getResultSetValue(rs, columns.positions[i]);
			}
			rows.add(new Row(columns, values));
		}
		return rows;
	}

	/** The distinct column labels of a result set and where each one's value is. */
	private static final class Columns {

		private final String[] labels;

		private final int[] positions;

		private final Map<String, Integer> indexByLabel;

		private Columns(String[] labels, int[] positions, Map<String, Integer> indexByLabel) {
			this.labels = labels;
			this.positions = positions;
			this.indexByLabel = indexByLabel;
		}

		static Columns of(ResultSetMetaData metaData) throws SQLException {
			Map<String, Integer> lastPosition = new LinkedHashMap<>();
			Map<String, String> labelByKey = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
			for (int position = 1; position <= metaData.getColumnCount(); position++) {
				String label = JdbcUtils.lookupColumnName(metaData, position);
				String first = labelByKey.putIfAbsent(label, label);
				lastPosition.put((first != null) ? first : label, position);
			}
			String[] labels = lastPosition.keySet().toArray(String[]::new);
			int[] positions = lastPosition.values().stream().mapToInt(Integer::intValue).toArray();
			Map<String, Integer> indexByLabel = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
			for (int i = 0; i < labels.length; i++) {
				indexByLabel.put(labels[i], i);
			}
			return new Columns(labels, positions, indexByLabel);
		}

		int indexOf(Object key) {
			if (!(key instanceof String label)) {
				return -1;
			}
			Integer index = this.indexByLabel.get(label);
			return (index != null) ? index : -1;
		}

	}

	/**
	 * One row: reads go to the shared columns and the row's values; the first change
	 * turns it into a {@link LinkedCaseInsensitiveMap} of its own, as
	 * {@code queryForList} would have given.
	 */
	private static final class Row extends AbstractMap<String, Object> {

		private final Columns columns;

		private final Object[] values;

		private Map<String, Object> copy;

		Row(Columns columns, Object[] values) {
			this.columns = columns;
			this.values = values;
		}

		@Override
		public Object get(Object key) {
			if (this.copy != null) {
				return this.copy.get(key);
			}
			int index = this.columns.indexOf(key);
			return (index >= 0) ? this.values[index] : null;
		}

		@Override
		public boolean containsKey(Object key) {
			return (this.copy != null) ? this.copy.containsKey(key) : this.columns.indexOf(key) >= 0;
		}

		@Override
		public int size() {
			return (this.copy != null) ? this.copy.size() : this.values.length;
		}

		@Override
		public Object put(String key, Object value) {
			return copy().put(key, value);
		}

		@Override
		public Object remove(Object key) {
			return copy().remove(key);
		}

		@Override
		public void clear() {
			copy().clear();
		}

		@Override
		public Set<Entry<String, Object>> entrySet() {
			if (this.copy != null) {
				return this.copy.entrySet();
			}
			return new AbstractSet<>() {

				@Override
				public Iterator<Entry<String, Object>> iterator() {
					return new Iterator<>() {

						private int next;

						@Override
						public boolean hasNext() {
							return this.next < Row.this.values.length;
						}

						@Override
						public Entry<String, Object> next() {
							if (!hasNext()) {
								throw new NoSuchElementException();
							}
							int index = this.next++;
							return new SimpleImmutableEntry<>(Row.this.columns.labels[index], Row.this.values[index]);
						}

					};
				}

				@Override
				public int size() {
					return Row.this.values.length;
				}

			};
		}

		private Map<String, Object> copy() {
			if (this.copy == null) {
				Map<String, Object> copy = new LinkedCaseInsensitiveMap<>(this.values.length);
				for (int i = 0; i < this.values.length; i++) {
					copy.put(this.columns.labels[i], this.values[i]);
				}
				this.copy = copy;
			}
			return this.copy;
		}

	}

}
