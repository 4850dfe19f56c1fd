package dev.latchkey.store;

class H2ConnectFlowStoreTest extends ConnectFlowStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
