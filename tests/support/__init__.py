"""What tests in any directory share that is no fixture of a single service: where the real servers are
(infrastructure.py), tokens from the identity provider (identity.py), event builders (hendelser.py), consumer
records (consuming.py), database copies (databases.py), polling (polling.py), free ports (ports.py), run-unique
names (naming.py), the gate that holds parallel requests (parallelt.py), private brokers and identity providers a
test may stop (private_kafka.py, private_idp.py), service processes (prosess.py), date fields for strict-type tests
(datofelt.py) and browser tests (browser.py)."""
