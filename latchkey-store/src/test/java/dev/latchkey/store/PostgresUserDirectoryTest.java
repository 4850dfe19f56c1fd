package dev.latchkey.store;

class PostgresUserDirectoryTest extends UserDirectoryContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
