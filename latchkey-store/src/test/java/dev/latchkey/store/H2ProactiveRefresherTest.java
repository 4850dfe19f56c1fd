package dev.latchkey.store;

class H2ProactiveRefresherTest extends ProactiveRefresherContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
