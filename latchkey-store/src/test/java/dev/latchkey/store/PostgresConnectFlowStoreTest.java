package dev.latchkey.store;

class PostgresConnectFlowStoreTest extends ConnectFlowStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
