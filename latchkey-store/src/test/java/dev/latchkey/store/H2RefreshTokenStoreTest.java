package dev.latchkey.store;

class H2RefreshTokenStoreTest extends RefreshTokenStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
