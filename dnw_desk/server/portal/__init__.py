"""The portal (/portal/): server-rendered pages where units work their queue and the efficiency
office reads its figures."""
