package dev.latchkey.store;

class PostgresRefreshTokenStoreTest extends RefreshTokenStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
