//! [`Kv`]: the Python `linstor.KV` — a namespaced view on one key/value store instance.
//! Keys are stored as `/<namespace>/<key>`; at namespace `/` keys show whole, elsewhere
//! relative to the namespace; keys of other namespaces are invisible.

use std::collections::BTreeMap;

use crate::requests::KeyValueStoreModify;
use crate::{Client, ClientError};
use linstor_proto::messages::MsgLstKvsProps;

/// A key/value store view.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = linstor_mock::MockController::start(Default::default()).await?;
/// # let client = linstor_client::Client::connect(&format!("linstor://{}", mock.addr())).await?;
/// use linstor_client::highlevel::Kv;
///
/// let mut kv = Kv::open(&client, "myKV", "/foo/bar/").await?;
/// kv.set("key", "val").await?;
/// assert_eq!(kv.items(), [("key".to_string(), "val".to_string())]);
/// kv.set_namespace("/");
/// assert_eq!(kv.items(), [("/foo/bar/key".to_string(), "val".to_string())]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Kv {
    client: Client,
    name: String,
    namespace: String,
    /// Full keys (with leading `/`) to values.
    cache: BTreeMap<String, String>,
}

fn normalise(namespace: &str) -> String {
    let inner: Vec<&str> = namespace.split('/').filter(|s| !s.is_empty()).collect();
    if inner.is_empty() {
        "/".to_owned()
    } else {
        format!("/{}/", inner.join("/"))
    }
}

impl Kv {
    /// Opens store `name` at `namespace` and loads it.
    ///
    /// # Errors
    ///
    /// The errors of the `LstKvsProps` call.
    pub async fn open(client: &Client, name: &str, namespace: &str) -> Result<Kv, ClientError> {
        let mut kv = Kv {
            client: client.clone(),
            name: name.to_owned(),
            namespace: normalise(namespace),
            cache: BTreeMap::new(),
        };
        kv.reload().await?;
        Ok(kv)
    }

    /// Reloads every pair from the controller.
    ///
    /// # Errors
    ///
    /// The errors of the `LstKvsProps` call.
    pub async fn reload(&mut self) -> Result<(), ClientError> {
        let list = self
            .client
            .keyvaluestore_list(MsgLstKvsProps {
                instance_name: self.name.clone(),
            })
            .await?;
        self.cache = list
            .props
            .into_iter()
            .map(|e| (format!("/{}", e.key.trim_start_matches('/')), e.value))
            .collect();
        Ok(())
    }

    /// The namespace, normalised to `/a/b/` or `/`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Switches the namespace.
    pub fn set_namespace(&mut self, namespace: &str) {
        self.namespace = normalise(namespace);
    }

    fn full(&self, key: &str) -> String {
        format!("{}{}", self.namespace, key.trim_start_matches('/'))
    }

    fn relative<'a>(&self, full: &'a str) -> Option<&'a str> {
        if self.namespace == "/" {
            Some(full)
        } else {
            full.strip_prefix(&self.namespace)
        }
    }

    /// Sets `key` (relative to the namespace).
    ///
    /// # Errors
    ///
    /// [`ClientError::ApiCall`] when the controller refuses, and the call's errors.
    pub async fn set(&mut self, key: &str, value: &str) -> Result<(), ClientError> {
        let full = self.full(key);
        let req = KeyValueStoreModify {
            instance_name: self.name.clone(),
            property_dict: vec![(full.clone(), value.to_owned())],
            delete_props: vec![],
        };
        self.modify(req).await?;
        self.cache.insert(full, value.to_owned());
        Ok(())
    }

    /// Deletes `key` (relative to the namespace).
    ///
    /// # Errors
    ///
    /// As [`Kv::set`].
    pub async fn delete(&mut self, key: &str) -> Result<(), ClientError> {
        let full = self.full(key);
        let req = KeyValueStoreModify {
            instance_name: self.name.clone(),
            property_dict: vec![],
            delete_props: vec![full.clone()],
        };
        self.modify(req).await?;
        self.cache.remove(&full);
        Ok(())
    }

    /// Deletes every key of the namespace in one call.
    ///
    /// # Errors
    ///
    /// As [`Kv::set`].
    pub async fn clear(&mut self) -> Result<(), ClientError> {
        let keys: Vec<String> = self
            .cache
            .keys()
            .filter(|k| self.relative(k).is_some())
            .cloned()
            .collect();
        let req = KeyValueStoreModify {
            instance_name: self.name.clone(),
            property_dict: vec![],
            delete_props: keys.clone(),
        };
        self.modify(req).await?;
        for k in keys {
            self.cache.remove(&k);
        }
        Ok(())
    }

    async fn modify(&self, req: KeyValueStoreModify) -> Result<(), ClientError> {
        let answers = self.client.keyvaluestore_modify(&req).await?;
        match answers.first_error() {
            Some(e) => Err(ClientError::ApiCall(Box::new(e.clone()))),
            None => Ok(()),
        }
    }

    /// The value of `key` (relative to the namespace).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.cache.get(&self.full(key)).map(String::as_str)
    }

    /// Whether `key` exists in the namespace.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The pairs of the namespace, keys relative to it, sorted.
    pub fn items(&self) -> Vec<(String, String)> {
        self.cache
            .iter()
            .filter_map(|(k, v)| self.relative(k).map(|r| (r.to_owned(), v.clone())))
            .collect()
    }

    /// The pairs of the namespace whose relative key starts with `prefix`.
    pub fn items_with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        self.items()
            .into_iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .collect()
    }

    /// The keys of the namespace.
    pub fn keys(&self) -> Vec<String> {
        self.items().into_iter().map(|(k, _)| k).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn namespaces_normalise() {
        assert_eq!(normalise("/foo/bar"), "/foo/bar/");
        assert_eq!(normalise("foo//bar/"), "/foo/bar/");
        assert_eq!(normalise(""), "/");
        assert_eq!(normalise("/"), "/");
    }
}
