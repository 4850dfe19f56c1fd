package dev.latchkey.store;

class PostgresAuditLogTest extends JdbcAuditLogContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
