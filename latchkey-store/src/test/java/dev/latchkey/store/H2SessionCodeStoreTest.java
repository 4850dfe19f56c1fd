package dev.latchkey.store;

class H2SessionCodeStoreTest extends SessionCodeStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
