package dev.latchkey.store;

class H2DeploymentSecretStoreTest extends DeploymentSecretStoreContract {
    @Override
    protected TestDatabase openDatabase() {
        return TestDatabase.h2();
    }
}
