package dev.latchkey.store;

class PostgresSessionCodeStoreTest extends SessionCodeStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
