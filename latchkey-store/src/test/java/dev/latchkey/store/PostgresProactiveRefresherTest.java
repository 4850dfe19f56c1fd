package dev.latchkey.store;

class PostgresProactiveRefresherTest extends ProactiveRefresherContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
