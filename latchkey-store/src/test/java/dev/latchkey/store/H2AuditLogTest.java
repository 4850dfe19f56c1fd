package dev.latchkey.store;

class H2AuditLogTest extends JdbcAuditLogContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
