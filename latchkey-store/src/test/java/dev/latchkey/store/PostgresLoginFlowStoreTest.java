package dev.latchkey.store;

class PostgresLoginFlowStoreTest extends LoginFlowStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
