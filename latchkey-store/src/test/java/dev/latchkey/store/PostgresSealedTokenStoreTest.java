package dev.latchkey.store;

class PostgresSealedTokenStoreTest extends SealedTokenStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
