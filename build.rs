//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds `migrations/`.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
