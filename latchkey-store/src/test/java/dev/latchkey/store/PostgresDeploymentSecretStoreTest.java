package dev.latchkey.store;

class PostgresDeploymentSecretStoreTest extends DeploymentSecretStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.postgres();
    }
}
