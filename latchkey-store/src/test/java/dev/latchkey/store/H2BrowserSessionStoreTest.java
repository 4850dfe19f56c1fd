package dev.latchkey.store;

class H2BrowserSessionStoreTest extends BrowserSessionStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
