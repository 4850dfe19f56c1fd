package dev.latchkey.store;

class PostgresGrantUsageTest extends GrantUsageContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
