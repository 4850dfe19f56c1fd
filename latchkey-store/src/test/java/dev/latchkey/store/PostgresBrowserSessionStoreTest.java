package dev.latchkey.store;

class PostgresBrowserSessionStoreTest extends BrowserSessionStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
