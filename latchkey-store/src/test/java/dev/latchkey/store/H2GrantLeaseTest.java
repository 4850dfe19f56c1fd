package dev.latchkey.store;

class H2GrantLeaseTest extends GrantLeaseContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
