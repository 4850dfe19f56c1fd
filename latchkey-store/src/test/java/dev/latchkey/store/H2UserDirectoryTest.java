package dev.latchkey.store;

class H2UserDirectoryTest extends UserDirectoryContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
