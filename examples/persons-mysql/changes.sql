-- The seed scenario's changes, one autocommit statement each, in this order.
UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 7;
INSERT INTO Persons (PersonID, FullName, City) VALUES (130, 'Alica Bing', 'New York');
INSERT INTO Persons (PersonID, FullName, City) VALUES (131, 'Malinda Bing', 'Detroit');
INSERT INTO Persons (PersonID, FullName, City) VALUES (132, 'Chandler Bing', 'Portland');
UPDATE Persons SET FullName = 'ABC XYZ' WHERE PersonID = 8;
DELETE FROM Persons WHERE PersonID = 10;
