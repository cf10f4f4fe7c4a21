//! Puts the git revision the binary is built from into `casus --version`, when the sources are a
//! git checkout and git is there; otherwise the version is the package's alone.

use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let full = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(rev) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
            let date = git(&["log", "-1", "--format=%cs"]).map(|d| format!(" {d}")).unwrap_or_default();
            format!("{version} ({rev}{}{date})", if dirty { "-modified" } else { "" })
        }
        None => version.to_string(),
    };
    println!("cargo:rustc-env=CASUS_VERSION={full}");
    // Built again when the checked-out commit or the index changes.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        for file in ["HEAD", "index"] {
            println!("cargo:rerun-if-changed={dir}/{file}");
        }
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={dir}/{head}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
