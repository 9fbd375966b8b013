"""A real IMAP server for the tests: Debian's dovecot started on a free loopback port with its
whole configuration, mail and state in a temporary folder (no system paths, no TLS).

As root (CI), dovecot will not run its login and mail processes as root: they run as its own
``dovenull`` and ``dovecot`` users, which own the mail folder. As anyone else, everything runs
as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "okienko", "imap-test-password"


def available() -> bool:
    return os.path.exists(DOVECOT)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Dovecot:
    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.folder / "dovecot.conf"

    def write_config(self) -> None:
        if os.getuid() == 0:
            mail_user, login_user = pwd.getpwnam("dovecot"), "dovenull"
            internal = "dovecot"
        else:
            mail_user = pwd.getpwuid(os.getuid())
            login_user = internal = mail_user.pw_name
        mail = self.folder / "mail"
        mail.mkdir(exist_ok=True)
        os.chown(mail, mail_user.pw_uid, mail_user.pw_gid) if os.getuid() == 0 else None
        (self.folder / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{mail_user.pw_uid}:{mail_user.pw_gid}::{mail}/{USER}::\n"
        )
        self.config.write_text(
            f"""
base_dir = {self.folder}/run
state_dir = {self.folder}/state
log_path = {self.folder}/dovecot.log
info_log_path = {self.folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {pwd.getpwnam(internal).pw_name if os.getuid() == 0 else internal}
default_login_user = {login_user}
first_valid_uid = {min(mail_user.pw_uid, 1)}
first_valid_gid = 0
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = {self.folder}/passwd
}}
userdb {{
  driver = passwd-file
  args = {self.folder}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        )

    def start(self) -> None:
        self.write_config()
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    if probe.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text()[-2000:] if path.exists() else ""


def start() -> Dovecot:
    folder = Path(tempfile.mkdtemp(prefix="okienko-dovecot-"))
    folder.chmod(0o755)  # the login and mail processes run as other users when started as root
    server = Dovecot(folder, _free_port())
    try:
        server.start()
    except Exception:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


def cleanup(server: Dovecot) -> None:
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)
