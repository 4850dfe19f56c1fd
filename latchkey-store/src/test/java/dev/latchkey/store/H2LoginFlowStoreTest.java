package dev.latchkey.store;

class H2LoginFlowStoreTest extends LoginFlowStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
