package dev.latchkey.store;

class H2SealedTokenStoreTest extends SealedTokenStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
