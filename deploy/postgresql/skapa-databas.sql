-- Databas och roll för sipkurs i ett befintligt PostgreSQL-kluster (Debians postgresql, version 13 eller senare).
-- Kör som databasadministratör, med namn och lösenord på kommandoraden:
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -v roll=sipkurs -v databas=sipkurs -v losenord='BYT-UT-MOT-LANGT-SLUMPLOSENORD' \
--        -f deploy/postgresql/skapa-databas.sql
--
-- sipkurs skapar sina tabeller själv vid första start (och en trigger som gör inlämningar omöjliga att ändra), så
-- rollen äger databasen men får inga andra rättigheter i klustret. Testas av tests/test_deploy_proxy.py.

CREATE ROLE :"roll" LOGIN PASSWORD :'losenord' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"databas" OWNER :"roll" ENCODING 'UTF8' TEMPLATE template0;
-- En kärna som hänger mitt i en transaktion får inte låsa andra deltagares sparningar.
ALTER ROLE :"roll" SET idle_in_transaction_session_timeout = '60s';
-- Ingen annan än rollen (och administratören) kommer åt databasen.
REVOKE ALL ON DATABASE :"databas" FROM PUBLIC;
