package dev.latchkey.store;

class H2RefreshCoordinatorTest extends RefreshCoordinatorContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
