package dev.latchkey.store;

class PostgresGrantLeaseTest extends GrantLeaseContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
