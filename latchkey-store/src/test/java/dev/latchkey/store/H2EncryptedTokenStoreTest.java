package dev.latchkey.store;

class H2EncryptedTokenStoreTest extends EncryptedJdbcTokenStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
