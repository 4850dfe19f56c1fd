package dev.latchkey.store;

class PostgresEncryptedTokenStoreTest extends EncryptedJdbcTokenStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
