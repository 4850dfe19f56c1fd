package dev.latchkey.store;

class H2GrantUsageTest extends GrantUsageContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
