package dev.latchkey.store;

class PostgresApiKeyStoreTest extends ApiKeyStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
