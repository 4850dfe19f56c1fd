package dev.latchkey.store;

class PostgresRefreshCoordinatorTest extends RefreshCoordinatorContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
