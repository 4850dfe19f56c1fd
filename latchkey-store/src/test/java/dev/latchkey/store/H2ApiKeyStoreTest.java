package dev.latchkey.store;

class H2ApiKeyStoreTest extends ApiKeyStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
