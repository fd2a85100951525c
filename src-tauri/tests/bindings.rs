//! The window's types are generated from the Rust ones: this fails when
//! `ui/src/bindings.ts` is not what the Rust types make now.

#[test]
fn the_checked_in_bindings_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(shark_app::bindings::PATH);
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let made = shark_app::bindings::typescript();
    assert!(
        on_disk == made,
        "{} is not current: run `npm run bindings` and commit the result",
        path.display()
    );
}
