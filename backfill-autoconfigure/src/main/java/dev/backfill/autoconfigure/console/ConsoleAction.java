package dev.backfill.autoconfigure.console;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationStatus;
import org.jspecify.annotations.Nullable;

/**
 * An action of the console's buttons, the statuses {@link BackfillOperations} allows it
 * in, and the call it makes.
 */
enum ConsoleAction {

	PAUSE(Set.of(MigrationStatus.PENDING, MigrationStatus.RUNNING)) {
		@Override
		MigrationInfo apply(BackfillOperations operations, String migration, @Nullable String principal) {
			return operations.pause(migration, principal);
		}
	},

	RESUME(Set.of(MigrationStatus.PAUSED)) {
		@Override
		MigrationInfo apply(BackfillOperations operations, String migration, @Nullable String principal) {
			return operations.resume(migration);
		}
	},

	RETRY(Set.of(MigrationStatus.FAILED)) {
		@Override
		MigrationInfo apply(BackfillOperations operations, String migration, @Nullable String principal) {
			return operations.retry(migration);
		}
	},

	RERUN(Set.of(MigrationStatus.COMPLETED)) {
		@Override
		MigrationInfo apply(BackfillOperations operations, String migration, @Nullable String principal) {
			return operations.rerun(migration);
		}
	};

	private final Set<MigrationStatus> allowedIn;

	ConsoleAction(Set<MigrationStatus> allowedIn) {
		this.allowedIn = allowedIn;
	}

	/**
	 * Calls the operations API.
	 * @param operations the API
	 * @param migration the migration's name
	 * @param principal who asks, or {@code null}
	 * @return the migration's state afterwards
	 */
	abstract MigrationInfo apply(BackfillOperations operations, String migration, @Nullable String principal);

	/** Its name in the console's URLs and page: {@code pause}. */
	String id() {
		return name().toLowerCase(Locale.ROOT);
	}

	static Optional<ConsoleAction> of(String id) {
		return Arrays.stream(values()).filter((action) -> action.id().equals(id)).findFirst();
	}

	/** The actions a migration in this status allows, as their ids. */
	static List<String> allowedIn(MigrationStatus status) {
		return Arrays.stream(values()).filter((action) -> action.allowedIn.contains(status)).map(ConsoleAction::id).toList();
	}

	static List<String> ids() {
		return Arrays.stream(values()).map(ConsoleAction::id).toList();
	}

}
