// kernel/dkms.conf names the package version dkms installs under
// /usr/src/falcon-<version>/: it must follow package.json's.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');

describe('kernel/dkms.conf', () => {
  it("has package.json's version and builds falcon.ko with AUTOINSTALL", () => {
    const conf = fs.readFileSync(path.join(root, 'kernel', 'dkms.conf'), 'utf8');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    assert.strictEqual(/^PACKAGE_VERSION="([^"]+)"$/m.exec(conf)?.[1], pkg.version);
    assert.match(conf, /^BUILT_MODULE_NAME\[0\]="falcon"$/m);
    assert.match(conf, /^AUTOINSTALL="yes"$/m);
  });
});
