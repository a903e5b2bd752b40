//! Fuzzes one mock connection handler: the bytes are what a peer sends over an in-memory
//! pipe; the mock must finish, answer every API call once with EOIA and COMPLETE, and send
//! only whole, decodable frames (`linstor_tests::connection_fuzz`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    linstor_tests::connection_fuzz::mock_connection(data);
});
