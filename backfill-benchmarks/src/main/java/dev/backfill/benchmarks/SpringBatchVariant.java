package dev.backfill.benchmarks;

import java.util.Map;

import javax.sql.DataSource;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.database.JdbcBatchItemWriter;
import org.springframework.batch.infrastructure.item.database.JdbcPagingItemReader;
import org.springframework.batch.infrastructure.item.database.Order;
import org.springframework.batch.infrastructure.item.database.builder.JdbcBatchItemWriterBuilder;
import org.springframework.batch.infrastructure.item.database.builder.JdbcPagingItemReaderBuilder;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * Variant 5: Spring Batch 6, one chunk-oriented step ({@code JdbcPagingItemReader}, which
 * pages by key, a processor computing the value in Java, {@code JdbcBatchItemWriter} with
 * one {@code UPDATE ... WHERE id = ?} per row), chunk size as given, and a JDBC job
 * repository in the same database and transaction manager, launched by a
 * {@code TaskExecutorJobOperator} on the calling thread.
 */
final class SpringBatchVariant implements Variant {

	@Override
	public String id() {
		return "5";
	}

	@Override
	public String title() {
		return "Spring Batch 6 chunk step (JdbcPagingItemReader + JdbcBatchItemWriter, JDBC job repository)";
	}

	@Override
	public String twin() {
		return "3";
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.rows();
	}

	/** Creates the job repository's tables from the script shipped in spring-batch-core. */
	static void createSchema(DataSource dataSource) {
		Integer tables = new JdbcTemplate(dataSource).queryForObject("SELECT count(*) FROM information_schema.tables "
				+ "WHERE table_schema = current_schema() AND table_name = 'batch_job_instance'", Integer.class);
		if (tables == null || tables == 0) {
			new ResourceDatabasePopulator(new ClassPathResource("org/springframework/batch/core/schema-postgresql.sql"))
				.execute(dataSource);
		}
	}

	@Override
	public void run(RunContext context) throws Exception {
		DataSource dataSource = context.dataSource();
		JdbcTransactionManager transactions = new JdbcTransactionManager(dataSource);
		JdbcJobRepositoryFactoryBean repositoryFactory = new JdbcJobRepositoryFactoryBean();
		repositoryFactory.setDataSource(dataSource);
		repositoryFactory.setTransactionManager(transactions);
		repositoryFactory.afterPropertiesSet();
		JobRepository repository = repositoryFactory.getObject();

		JdbcPagingItemReader<Row> reader = new JdbcPagingItemReaderBuilder<Row>().name("users")
			.dataSource(dataSource)
			.selectClause("id, email")
			.fromClause(context.table())
			.whereClause("email_domain IS NULL")
			.sortKeys(Map.of("id", Order.ASCENDING))
			.rowMapper((rs, rowNum) -> new Row(rs.getLong(1), rs.getString(2)))
			.pageSize(context.batchSize())
			.build();
		JdbcBatchItemWriter<Row> writer = new JdbcBatchItemWriterBuilder<Row>().dataSource(dataSource)
			.sql(context.updateOneSql())
			.itemPreparedStatementSetter((row, ps) -> {
				ps.setString(1, row.email());
				ps.setLong(2, row.id());
			})
			.build();
		Step step = new StepBuilder("email_domain", repository).<Row, Row>chunk(context.batchSize())
			.transactionManager(transactions)
			.reader(reader)
			.processor((row) -> new Row(row.id(), BenchTable.domainOf(row.email())))
			.writer(writer)
			.listener(new Timing(context.batches()))
			.build();
		Job job = new JobBuilder("email_domain_backfill", repository).start(step).build();

		TaskExecutorJobOperator operator = new TaskExecutorJobOperator();
		operator.setJobRepository(repository);
		operator.setJobRegistry(new MapJobRegistry());
		operator.afterPropertiesSet();
		JobExecution execution = operator.start(job,
				new JobParametersBuilder().addLong("run", System.nanoTime()).toJobParameters());
		if (execution.getStatus() != BatchStatus.COMPLETED) {
			throw new IllegalStateException("Job ended " + execution.getStatus() + ": "
					+ execution.getAllFailureExceptions());
		}
	}

	/** A row read, then the same id with the computed value in place of the email. */
	record Row(long id, String email) {
	}

	/** Reports each chunk to the recorder. */
	private static final class Timing implements ChunkListener<Row, Row> {

		private final BatchRecorder batches;

		private long started;

		Timing(BatchRecorder batches) {
			this.batches = batches;
		}

		@Override
		public void beforeChunk(Chunk<Row> chunk) {
			this.started = System.nanoTime();
		}

		@Override
		public void afterChunk(Chunk<Row> chunk) {
			this.batches.batchDone(chunk.size(), System.nanoTime() - this.started);
		}

	}

}
